"""The portal's screens, one module per part of the manual's navigation."""

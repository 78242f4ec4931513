"""Use cases of the messaging service (see README "Architecture"): what routes and handlers call.

SQL stays in messaging.db; refusals are konnect_kit.domain_errors.
"""

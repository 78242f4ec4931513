"""Use cases of the timeline service (see README "Architecture"): what routes and handlers call.

SQL stays in timeline.db; refusals are konnect_kit.domain_errors.
"""

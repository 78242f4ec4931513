"""Timeline service: photos, diary, media in S3, location news, newsletters, info pages, team, observations."""

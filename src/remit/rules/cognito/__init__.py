"""Rules about Cognito user pools and identity pools."""

"""Rules about Lambda functions, their URLs and permissions."""

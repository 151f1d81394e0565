"""Rules about API Gateway REST, HTTP and WebSocket APIs."""

"""django-two-factor-auth gateways that deliver its tokens through this service."""

"""The HTTP API for Django REST framework consumers, under /api/v1/ (contract section 4)."""

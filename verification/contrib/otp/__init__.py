"""A django-otp device that sends its codes by voice call or SMS through this service."""

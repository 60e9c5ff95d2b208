"""A site with django-two-factor-auth whose phone methods go through verification.contrib.two_factor."""

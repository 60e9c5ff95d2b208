"""Optional apps that plug the verification service into other frameworks."""

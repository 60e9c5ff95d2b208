"""Status webhooks to API consumers (issue 13): Standard Webhooks signing and the
guard against private addresses. The outbox and its sender come next."""

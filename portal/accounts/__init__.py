"""Accounts: people, their roles, signing up, signing in, and getting back in."""

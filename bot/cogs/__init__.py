"""Thin adapters, one per thing a user does: acknowledge, call the core off the loop, render, send."""

"""Test doubles shared by test areas (fault-injecting servers, fixtures)."""

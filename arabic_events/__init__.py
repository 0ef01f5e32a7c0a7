"""arabic_events package."""

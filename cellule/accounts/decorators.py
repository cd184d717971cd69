"""Markers read by the middlewares of this app."""


def otp_exempt(view):
    """The view is reachable after the password step, before the second factor (TOTP pages)."""
    view.otp_exempt = True
    return view


def charter_exempt(view):
    """The view stays reachable while a charter waits for signature (charter page, logout, profile)."""
    view.charter_exempt = True
    return view

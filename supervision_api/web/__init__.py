"""The inspectors' web page: sign in with a token, pick a region and a period, see and download reports."""

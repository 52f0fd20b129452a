"""MCP tools, grouped by domain; `inventory.py` is the one list of what the server exposes."""

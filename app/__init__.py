"""kling-mcp: a hosted MCP server for Kling video generation through the AceDataCloud API."""

__version__ = "0.1.0"

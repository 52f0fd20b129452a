"""Idempotent submissions: the same caller, key and request within a TTL give the first answer back.

`store.py` says what a store does; `memory.py` keeps records in this process (one replica) and
`redis.py` in Redis, so a retry that lands on another replica finds them. Neither knows MCP.
"""

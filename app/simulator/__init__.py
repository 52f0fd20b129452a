"""A stand-in for the Kling API over real HTTP, for tests, demos and benchmarks.

It implements the upstream contract (`../shared/reference/kling-upstream-api.md`) for every
`/kling/*` endpoint this server calls, runs submitted tasks through a timed state machine, and
has knobs under `/_sim/*` for latency and fault injection. It shares no code with the server's
upstream layer, so it cannot hide a server bug by agreeing with it.
"""

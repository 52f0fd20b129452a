"""The Kling API as this server sees it: one pooled client and one error tree."""

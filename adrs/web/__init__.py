"""The web dashboard (``adrs serve``): server-rendered pages over a workspace's memory."""

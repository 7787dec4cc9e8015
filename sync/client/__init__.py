"""The desktop side of sync: push and pull over HTTP, through a port the store implements."""

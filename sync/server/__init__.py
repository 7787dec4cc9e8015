"""The LA server: FastAPI over SQLModel tables on PostgreSQL or SQLite."""

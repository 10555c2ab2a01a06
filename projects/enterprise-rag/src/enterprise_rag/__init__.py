"""Enterprise RAG: ingestion, hybrid retrieval, reranking, cited answers and evaluation."""

__version__ = "0.1.0"

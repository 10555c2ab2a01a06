"""Fine-tune a MiniLM encoder to classify support tickets: LoRA against full fine-tuning."""

from finetune_tracking.data import TicketSplit, load_tickets
from finetune_tracking.train import RunResult, TrainConfig, train_and_evaluate

__all__ = ["RunResult", "TicketSplit", "TrainConfig", "load_tickets", "train_and_evaluate"]

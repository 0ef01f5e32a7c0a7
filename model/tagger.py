"""The joint model: one encoder, a token head (BIO tags) and a sentence head (event types).

``EventTaggerConfig`` carries both label maps (token tags as the usual
``id2label``/``label2id``, event types as ``sentence_labels``) and the
encoder's own config, so ``save_pretrained``/``from_pretrained`` round-trip
the whole model with nothing on the side.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, PretrainedConfig, PreTrainedModel
from transformers.modeling_outputs import ModelOutput

from model.labels import BIO_TAGS, EVENT_TYPES


class EventTaggerConfig(PretrainedConfig):
    model_type = "arabic-event-tagger"
    sub_configs = {"encoder": AutoConfig}

    def __init__(
        self,
        encoder: dict[str, Any] | PretrainedConfig | None = None,
        sentence_labels: list[str] | None = None,
        backbone: str = "",
        head_dropout: float = 0.1,
        **kwargs: Any,
    ):
        kwargs.setdefault("id2label", dict(enumerate(BIO_TAGS)))
        super().__init__(**kwargs)
        if isinstance(encoder, dict):
            encoder = dict(encoder)
            encoder = AutoConfig.for_model(encoder.pop("model_type"), **encoder)
        self.encoder = encoder
        self.sentence_labels = list(sentence_labels or EVENT_TYPES)
        self.backbone = backbone
        self.head_dropout = head_dropout

    def to_dict(self) -> dict[str, Any]:
        output = super().to_dict()
        if isinstance(self.encoder, PretrainedConfig):
            output["encoder"] = self.encoder.to_dict()
        return output


@dataclass
class EventTaggerOutput(ModelOutput):
    loss: torch.Tensor | None = None
    token_logits: torch.Tensor | None = None
    sentence_logits: torch.Tensor | None = None


def _without_pooler(encoder_config: PretrainedConfig) -> dict[str, Any]:
    """``add_pooling_layer=False`` for encoders that have a pooler: the heads never use it."""
    encoder_class = AutoModel._model_mapping[type(encoder_config)]
    accepts = "add_pooling_layer" in inspect.signature(encoder_class.__init__).parameters
    return {"add_pooling_layer": False} if accepts else {}


class EventTagger(PreTrainedModel):
    """Encoder + linear token head + linear sentence head over the mean-pooled encoding."""

    config_class = EventTaggerConfig
    base_model_prefix = "encoder"
    supports_gradient_checkpointing = False

    def __init__(self, config: EventTaggerConfig):
        super().__init__(config)
        self.encoder = AutoModel.from_config(config.encoder, **_without_pooler(config.encoder))
        hidden = config.encoder.hidden_size
        self.dropout = nn.Dropout(config.head_dropout)
        self.token_head = nn.Linear(hidden, len(config.id2label))
        self.sentence_head = nn.Linear(hidden, len(config.sentence_labels))
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        if module in (self.token_head, self.sentence_head):
            nn.init.normal_(module.weight, std=0.02)
            nn.init.zeros_(module.bias)

    @classmethod
    def from_encoder(cls, encoder_path: str, backbone: str, head_dropout: float = 0.1) -> EventTagger:
        """A new tagger whose encoder starts from the pretrained weights at ``encoder_path``."""
        encoder_config = AutoConfig.from_pretrained(encoder_path)
        encoder = AutoModel.from_pretrained(encoder_path, dtype=torch.float32, **_without_pooler(encoder_config))
        config = EventTaggerConfig(encoder=encoder.config, backbone=backbone, head_dropout=head_dropout)
        model = cls(config)
        model.encoder = encoder
        return model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_labels: torch.Tensor | None = None,
        sentence_labels: torch.Tensor | None = None,
        token_class_weights: torch.Tensor | None = None,
        token_loss_weight: float = 1.0,
        sentence_loss_weight: float = 1.0,
    ) -> EventTaggerOutput:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        hidden = self.dropout(hidden)
        token_logits = self.token_head(hidden)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        sentence_logits = self.sentence_head(pooled)

        loss = None
        if token_labels is not None and sentence_labels is not None:
            token_loss = nn.functional.cross_entropy(
                token_logits.reshape(-1, token_logits.size(-1)),
                token_labels.reshape(-1),
                weight=token_class_weights,
                ignore_index=-100,
            )
            sentence_loss = nn.functional.binary_cross_entropy_with_logits(
                sentence_logits, sentence_labels.to(sentence_logits.dtype)
            )
            loss = token_loss_weight * token_loss + sentence_loss_weight * sentence_loss
        return EventTaggerOutput(loss=loss, token_logits=token_logits, sentence_logits=sentence_logits)

    def forward_packed(self, input_ids: torch.Tensor, segment_ids: torch.Tensor) -> EventTaggerOutput:
        """Inference on rows that each hold several windows back to back, with no padding between them.

        ``segment_ids`` numbers the windows 1, 2, ... across the whole batch (0 marks padding at
        row ends). Each window attends only to itself (a block-diagonal mask) and counts its
        positions from 0, so it gets the same encoding as alone in a padded batch. Returns
        ``token_logits`` per row position and ``sentence_logits`` per window: row ``k - 1`` is
        window ``k``.
        """
        length = input_ids.size(1)
        index = torch.arange(length).expand_as(segment_ids)
        starts = torch.ones_like(segment_ids, dtype=torch.bool)
        starts[:, 1:] = segment_ids[:, 1:] != segment_ids[:, :-1]
        position_ids = index - torch.where(starts, index, 0).cummax(dim=1).values
        allowed = (segment_ids[:, :, None] == segment_ids[:, None, :]) & (segment_ids[:, None, :] > 0)
        allowed |= torch.eye(length, dtype=torch.bool)  # padding attends to itself: no empty softmax
        mask = allowed[:, None]
        if self.encoder.config._attn_implementation != "sdpa":  # eager attention adds the mask to its scores
            dtype = torch.get_autocast_dtype("cpu") if torch.is_autocast_enabled("cpu") else self.dtype
            mask = torch.zeros(mask.shape, dtype=dtype).masked_fill(~mask, torch.finfo(dtype).min)
        hidden = self.encoder(input_ids=input_ids, attention_mask=mask, position_ids=position_ids).last_hidden_state
        token_logits = self.token_head(hidden)
        windows = int(segment_ids.max())
        flat_ids, flat_hidden = segment_ids.reshape(-1), hidden.reshape(-1, hidden.size(-1)).float()
        sums = torch.zeros(windows + 1, hidden.size(-1)).index_add_(0, flat_ids, flat_hidden)
        counts = torch.bincount(flat_ids, minlength=windows + 1).clamp(min=1).unsqueeze(-1)
        sentence_logits = self.sentence_head((sums / counts)[1:])
        return EventTaggerOutput(token_logits=token_logits, sentence_logits=sentence_logits)

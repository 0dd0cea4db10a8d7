"""Licenses and the costs around them, explained in plain words: the topics, and a matcher
that finds the topic a typed question is about."""

from crm.licensing.matching import Match, looks_like_question, match_question
from crm.licensing.topics import TOPICS, Topic, topic

__all__ = ["TOPICS", "Match", "Topic", "looks_like_question", "match_question", "topic"]

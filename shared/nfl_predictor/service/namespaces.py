"""Cache namespaces (kept apart from the services so routes can name them without heavy imports)."""

GAME_NS = "predictions"  # a game's full payload
VIEW_NS = "prediction_views"  # include/experts/fields selections of it
WEEK_NS = "week_predictions"  # a whole week as one document
SCHEDULE_NS = "schedule"
SIMILAR_NS = "similar"
SEARCH_NS = "search"
LEADERBOARD_NS = "leaderboard"

ALL = (GAME_NS, VIEW_NS, WEEK_NS, SCHEDULE_NS, SIMILAR_NS, SEARCH_NS, LEADERBOARD_NS)

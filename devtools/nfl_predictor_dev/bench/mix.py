"""What the load test's users ask for besides whole games and weeks: shared by the locustfile and the
runner that warms the cache before it (so every URL in the mix starts warm)."""

# Sections, experts and top-level fields real clients ask for (every one valid for the API).
VIEWS = (
    "include=ml,totals",
    "include=experts",
    "include=props",
    "experts=market_aware,ratings_purist,recent_form",
    "fields=game_id,home_team,away_team,ml,prediction_count",
)
SEARCHES = (
    "weather wind",
    "quarterback injury",
    "divisional rivalry",
    "rest advantage after bye",
    "home underdog",
)

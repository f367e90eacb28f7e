DROP TABLE IF EXISTS platform_reviews, social_posts, collaboration_logs, brand_history, content_packages, strategy_briefs;

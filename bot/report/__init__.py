"""The staff report: aggregation, recommendations, grouping and exports."""

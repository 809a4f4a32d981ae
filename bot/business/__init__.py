"""What this restaurant has and does: profile, answers, dates and times, bookings."""

"""Vietnamese language handling: segmentation, folding, teencode, Rasa/spaCy components."""

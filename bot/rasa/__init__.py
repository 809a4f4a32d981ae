"""What only the Rasa server loads: graph components registered with Rasa."""

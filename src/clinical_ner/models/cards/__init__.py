"""Model cards: what a saved model is, where its encoder came from, how it was trained."""

"""Training pipeline: CSV → validated frame → split → scaler → models → evaluation
→ artifact bundle. Run it as ``python -m training``; one module per step."""

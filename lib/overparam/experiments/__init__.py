"""What the chapters run (simulations next to theory curves) and how their claims are judged."""

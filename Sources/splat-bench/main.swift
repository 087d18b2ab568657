print("splat-bench")

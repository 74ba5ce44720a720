"""eco-onemap: 生态环境一张图."""

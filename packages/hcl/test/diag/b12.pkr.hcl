x = "%{ endif }"

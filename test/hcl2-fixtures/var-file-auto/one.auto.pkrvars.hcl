a = "auto-hcl"

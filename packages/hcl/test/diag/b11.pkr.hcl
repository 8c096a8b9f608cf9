x = "%{ if true }yes"

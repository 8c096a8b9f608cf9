x = {for k, in m : k => v}

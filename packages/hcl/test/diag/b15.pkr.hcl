x = 'single'

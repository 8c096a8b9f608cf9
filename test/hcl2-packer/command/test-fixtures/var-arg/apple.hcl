
fruit = "apple"

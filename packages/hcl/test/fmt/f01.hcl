a=1
bbb    =   2
c = "x"   # comment
dddd = [1,2,3] // other

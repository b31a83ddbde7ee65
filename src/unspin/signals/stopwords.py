"""Function words: spinners rewrite them as phrases (handled by templates), not one by one."""

STOPWORDS = frozenset(
    """a an the and or but nor so yet for of in on at by to from with without into onto upon
    over under about above below after before during since until till while as than then
    that this these those there here which who whom whose what when where why how whether
    is are was were be been being am do does did done doing have has had having will would
    shall should can could may might must it its it's he him his she her hers they them
    their theirs we us our ours you your yours i me my mine not no yes also only just very
    too more most less least such both each either neither all any some few many much
    other another same own one two three four five first second new old up down out off
    again further once if because although though however thus therefore hence s t
    st nd rd th mr mrs dr""".split()
)

"""Short reference articles the trace tests index: names, places and numbers to keep."""

SOURCES = {
    "okafor": (
        "Margaret Okafor was born in 1962 in Enugu. She studied chemistry at the University of "
        "Lagos and later worked for the Nigerian National Petroleum Corporation in Port "
        "Harcourt. In 1994 she founded Okafor Laboratories, which developed cheap water filters "
        "for rural clinics. The company was sold to Veolia in 2011 for 40 million dollars."
    ),
    "tyne": (
        "The Tyne Bridge in Newcastle was opened by King George V in 1928. It was designed by "
        "Mott, Hay and Anderson and built by Dorman Long of Middlesbrough. The arch spans 161 "
        "metres over the river and carries the A167 road between Newcastle and Gateshead."
    ),
    "kepler": (
        "The Kepler space telescope was launched by NASA in March 2009 to find planets orbiting "
        "other stars. Over nine years it observed about 530,506 stars and confirmed 2,662 "
        "exoplanets before its fuel ran out in October 2018 and it was retired."
    ),
}

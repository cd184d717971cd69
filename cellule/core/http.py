def posted(request):
    """Form data for a bound form on POST (even an empty one), None on GET."""
    return request.POST if request.method == "POST" else None

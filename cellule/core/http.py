def posted(request):
    """Form data for a bound form on POST (even an empty one), None on GET."""
    return request.POST if request.method == "POST" else None


def add_service_errors(form, error) -> None:
    """Shows a service's ValidationError on the form: on its fields when it names them."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error)

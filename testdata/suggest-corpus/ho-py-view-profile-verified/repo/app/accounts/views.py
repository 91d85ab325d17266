from django.http import HttpResponseForbidden
from django.shortcuts import render


def dashboard(request):
    if request.user.profile.is_verified:
        return render(request, "accounts/dashboard.html")
    return HttpResponseForbidden("verify your email first")
